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

-- A closed day is immutable, whatever path a write takes: no desk, payment or cash movement is
-- dated for it, and none of its payments or desks changes its figures.
CREATE TRIGGER closed_day_no_desk BEFORE INSERT ON desk_sessions
WHEN EXISTS (SELECT 1 FROM day_closures WHERE business_date = NEW.business_date)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_no_payment BEFORE INSERT ON payments
WHEN EXISTS (SELECT 1 FROM day_closures WHERE business_date = NEW.business_date)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_no_void BEFORE UPDATE OF status ON payments
WHEN NEW.status = 'reversed' AND EXISTS (SELECT 1 FROM day_closures WHERE business_date = OLD.business_date)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;

CREATE TRIGGER closed_day_no_movement BEFORE INSERT ON desk_movements
WHEN EXISTS (SELECT 1 FROM day_closures c JOIN desk_sessions d ON d.business_date = c.business_date WHERE d.pk = NEW.session_pk)
BEGIN SELECT RAISE(ABORT, 'closed business day'); END;
