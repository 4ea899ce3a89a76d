-- Distributed: work orders the 95598 centre took and head office dispatched to an outlet's
-- workstation (published as `service.ticket` changes), and how the outlet handled them, projected
-- from the request's `service.*` events as they are pushed. `request_id` is the outlet's request,
-- known once its `service.accepted` arrives; every later event of that request finds the ticket
-- by it.
CREATE TABLE service_tickets (
    outlet_code    text NOT NULL,
    ticket_no      text NOT NULL,
    workstation_id text NOT NULL,
    category       text NOT NULL,
    record         jsonb NOT NULL,
    dispatched_by  text NOT NULL,
    dispatched_at  timestamptz NOT NULL DEFAULT now(),
    request_id     text,
    request_number text,
    -- 'dispatched' until the outlet accepts it, then the request's state (model::service::RequestState).
    state          text NOT NULL DEFAULT 'dispatched',
    reply          text,
    satisfaction   text,
    closed_at      text,
    -- The outlet's handling, oldest first: {action, at, state, text}.
    handling       jsonb NOT NULL DEFAULT '[]',
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, ticket_no)
);
CREATE INDEX service_tickets_by_request ON service_tickets (outlet_code, request_id) WHERE request_id IS NOT NULL;
CREATE INDEX service_tickets_by_dispatch ON service_tickets (dispatched_at DESC);
