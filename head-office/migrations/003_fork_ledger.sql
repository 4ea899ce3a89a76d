-- A quarantined money event an operator accepts (a cloned machine's payment) is booked beside the
-- event first stored under its key: `fork` is 0 for the stored event and the quarantine row's id
-- for an accepted fork, and it joins the key.
ALTER TABLE ledger ADD COLUMN fork bigint NOT NULL DEFAULT 0;
ALTER TABLE ledger DROP CONSTRAINT ledger_pkey;
ALTER TABLE ledger ADD PRIMARY KEY (outlet_code, workstation_id, epoch, seq, fork);
