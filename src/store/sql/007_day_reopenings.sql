-- A closed business day is reopened only by a manager, with a reason. The closure row goes (the
-- day takes money again until it is closed anew) and what it said stays here, so the papers
-- printed after a reopening can say they are re-issued.
CREATE TABLE day_reopenings (
    pk           INTEGER PRIMARY KEY,
    business_date TEXT NOT NULL,
    closed_at    TEXT NOT NULL,
    closed_by    TEXT NOT NULL,
    reopened_at  TEXT NOT NULL,
    reopened_by  TEXT NOT NULL,
    approved_by  TEXT NOT NULL,
    reason       TEXT NOT NULL
);
CREATE INDEX day_reopenings_by_date ON day_reopenings (business_date);

-- The cash a drawer holds now (float + cash in − cash out + cash taken − change given, reversed
-- payments not counted), kept by triggers on every path that moves it, so that a payment's
-- change can be checked against it without summing the desk's payments (`desk::drawer_cash`).
ALTER TABLE desk_sessions ADD COLUMN drawer_cash_fen INTEGER NOT NULL DEFAULT 0;
UPDATE desk_sessions SET drawer_cash_fen = float_fen
    + coalesce((SELECT sum(CASE m.direction WHEN 'in' THEN m.amount_fen ELSE -m.amount_fen END) FROM desk_movements m WHERE m.session_pk = desk_sessions.pk), 0)
    + coalesce((SELECT sum(t.amount_fen) FROM payment_tenders t JOIN payments p ON p.pk = t.payment_pk
                WHERE p.session_pk = desk_sessions.pk AND p.status != 'reversed' AND t.kind = 'cash'), 0)
    - coalesce((SELECT sum(p.change_fen) FROM payments p WHERE p.session_pk = desk_sessions.pk AND p.status != 'reversed'), 0);

CREATE TRIGGER drawer_opened AFTER INSERT ON desk_sessions
BEGIN UPDATE desk_sessions SET drawer_cash_fen = NEW.float_fen WHERE pk = NEW.pk; END;

CREATE TRIGGER drawer_moved AFTER INSERT ON desk_movements
BEGIN UPDATE desk_sessions SET drawer_cash_fen = drawer_cash_fen + CASE NEW.direction WHEN 'in' THEN NEW.amount_fen ELSE -NEW.amount_fen END
      WHERE pk = NEW.session_pk; END;

CREATE TRIGGER drawer_change_given AFTER INSERT ON payments WHEN NEW.change_fen != 0
BEGIN UPDATE desk_sessions SET drawer_cash_fen = drawer_cash_fen - NEW.change_fen WHERE pk = NEW.session_pk; END;

CREATE TRIGGER drawer_cash_taken AFTER INSERT ON payment_tenders WHEN NEW.kind = 'cash'
BEGIN UPDATE desk_sessions SET drawer_cash_fen = drawer_cash_fen + NEW.amount_fen
      WHERE pk = (SELECT session_pk FROM payments WHERE pk = NEW.payment_pk); END;

CREATE TRIGGER drawer_voided AFTER UPDATE OF status ON payments WHEN NEW.status = 'reversed' AND OLD.status != 'reversed'
BEGIN UPDATE desk_sessions SET drawer_cash_fen = drawer_cash_fen + NEW.change_fen
      - coalesce((SELECT sum(amount_fen) FROM payment_tenders WHERE payment_pk = NEW.pk AND kind = 'cash'), 0)
      WHERE pk = NEW.session_pk; END;

-- A closed day is immutable, whatever path a write takes: no desk, payment or cash movement is
-- dated for it, and none of its payments or desks changes its figures.
CREATE TRIGGER closed_day_no_desk BEFORE INSERT ON desk_sessions
WHEN EXISTS (SELECT 1 FROM day_closures WHERE business_date = NEW.business_date)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

-- A payment counts for its desk's day (the day-end finds payments through their desks), so the
-- desk's date is checked as well as the payment's own.
CREATE TRIGGER closed_day_no_payment BEFORE INSERT ON payments
WHEN EXISTS (SELECT 1 FROM day_closures WHERE business_date = NEW.business_date)
  OR EXISTS (SELECT 1 FROM day_closures c JOIN desk_sessions d ON d.business_date = c.business_date WHERE d.pk = NEW.session_pk)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

-- Its payments' figures stay as they were (a later 冲红 still marks one `corrected`, and a
-- reprint counts its copy).
CREATE TRIGGER closed_day_payment_unchanged BEFORE UPDATE OF kind, customer_pk, session_pk, business_date, amount_fen,
    tendered_fen, change_fen, bills_fen, late_fee_fen, prepaid_before_fen, prepaid_after_fen ON payments
WHEN EXISTS (SELECT 1 FROM day_closures WHERE business_date = OLD.business_date)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_payment_kept BEFORE DELETE ON payments
WHEN EXISTS (SELECT 1 FROM day_closures WHERE business_date = OLD.business_date)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_tenders_kept BEFORE DELETE ON payment_tenders
WHEN EXISTS (SELECT 1 FROM day_closures c JOIN payments p ON p.business_date = c.business_date WHERE p.pk = OLD.payment_pk)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_tenders_unchanged BEFORE UPDATE ON payment_tenders
WHEN EXISTS (SELECT 1 FROM day_closures c JOIN payments p ON p.business_date = c.business_date WHERE p.pk = OLD.payment_pk)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_no_tender BEFORE INSERT ON payment_tenders
WHEN EXISTS (SELECT 1 FROM day_closures c JOIN payments p ON p.business_date = c.business_date WHERE p.pk = NEW.payment_pk)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

-- Its desks, their counts and floats, stay as they were closed.
CREATE TRIGGER closed_day_desk_unchanged BEFORE UPDATE ON desk_sessions
WHEN EXISTS (SELECT 1 FROM day_closures WHERE business_date = OLD.business_date)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_desk_kept BEFORE DELETE ON desk_sessions
WHEN EXISTS (SELECT 1 FROM day_closures WHERE business_date = OLD.business_date)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_movement_kept BEFORE DELETE ON desk_movements
WHEN EXISTS (SELECT 1 FROM day_closures c JOIN desk_sessions d ON d.business_date = c.business_date WHERE d.pk = OLD.session_pk)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_movement_unchanged BEFORE UPDATE ON desk_movements
WHEN EXISTS (SELECT 1 FROM day_closures c JOIN desk_sessions d ON d.business_date = c.business_date WHERE d.pk = OLD.session_pk)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_no_void BEFORE UPDATE OF status ON payments
WHEN NEW.status = 'reversed' AND EXISTS (SELECT 1 FROM day_closures WHERE business_date = OLD.business_date)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_no_movement BEFORE INSERT ON desk_movements
WHEN EXISTS (SELECT 1 FROM day_closures c JOIN desk_sessions d ON d.business_date = c.business_date WHERE d.pk = NEW.session_pk)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;
