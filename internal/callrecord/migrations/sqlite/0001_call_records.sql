-- Call records, one row per Zoom call-history entry (call_history_uuid).
-- Times are UTC text in one fixed form (2006-01-02T15:04:05Z), so that
-- they compare as they sort.
CREATE TABLE call_records (
    call_history_id  TEXT PRIMARY KEY,
    call_id          TEXT NOT NULL,
    extension        TEXT NOT NULL,
    direction        TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    internal         INTEGER NOT NULL CHECK (internal IN (0, 1)),
    start_time       TEXT NOT NULL,
    answer_time      TEXT,
    end_time         TEXT NOT NULL,
    duration_seconds INTEGER NOT NULL,
    other_number     TEXT NOT NULL DEFAULT '',
    other_name       TEXT NOT NULL DEFAULT '',
    result           TEXT NOT NULL,
    received_at      TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX call_records_extension_start ON call_records (extension, start_time);
CREATE INDEX call_records_end ON call_records (end_time);
CREATE INDEX call_records_received ON call_records (received_at);
