-- Call records, one row per Zoom call-history entry (call_history_uuid).
CREATE TABLE call_records (
    call_history_id  TEXT PRIMARY KEY,
    call_id          TEXT NOT NULL,
    extension        TEXT NOT NULL,
    direction        TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    internal         BOOLEAN NOT NULL,
    start_time       TIMESTAMPTZ NOT NULL,
    answer_time      TIMESTAMPTZ,
    end_time         TIMESTAMPTZ NOT NULL,
    duration_seconds INTEGER NOT NULL,
    other_number     TEXT NOT NULL DEFAULT '',
    other_name       TEXT NOT NULL DEFAULT '',
    result           TEXT NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX call_records_extension_start ON call_records (extension, start_time);
CREATE INDEX call_records_end ON call_records (end_time);
CREATE INDEX call_records_received ON call_records (received_at);
