/**
 * The store's schema, as an ordered list of migrations. A migration is never edited once released: a change is a
 * new entry with the next version. Statements use unqualified names; the store's schema is first on search_path.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const initial = `
CREATE TABLE resources (
  patient_key     text        NOT NULL,
  resource_type   text        NOT NULL,
  id              text        NOT NULL,
  version         integer     NOT NULL,
  heading         text,
  source_org      text,
  security_labels text[]      NOT NULL DEFAULT '{}',
  effective_date  timestamptz,
  last_updated    timestamptz NOT NULL,
  source_time     timestamptz,
  body            jsonb       NOT NULL,
  PRIMARY KEY (patient_key, resource_type, id)
);
CREATE INDEX resources_type_id ON resources (resource_type, id);
CREATE INDEX resources_patient_heading_date ON resources
  (patient_key, heading, (coalesce(effective_date, '-infinity'::timestamptz)), resource_type, id);
CREATE INDEX resources_open_encounters ON resources (patient_key)
  WHERE resource_type = 'Encounter' AND body->>'status' = 'in-progress';

CREATE TABLE resource_history (
  patient_key     text        NOT NULL,
  resource_type   text        NOT NULL,
  id              text        NOT NULL,
  version         integer     NOT NULL,
  heading         text,
  source_org      text,
  security_labels text[]      NOT NULL DEFAULT '{}',
  effective_date  timestamptz,
  last_updated    timestamptz NOT NULL,
  source_time     timestamptz,
  body            jsonb       NOT NULL,
  PRIMARY KEY (patient_key, resource_type, id, version)
);
CREATE INDEX resource_history_type_id ON resource_history (resource_type, id, version);

CREATE TABLE reference_resources (
  resource_type   text        NOT NULL,
  id              text        NOT NULL,
  version         integer     NOT NULL,
  heading         text,
  source_org      text,
  security_labels text[]      NOT NULL DEFAULT '{}',
  effective_date  timestamptz,
  last_updated    timestamptz NOT NULL,
  source_time     timestamptz,
  body            jsonb       NOT NULL,
  PRIMARY KEY (resource_type, id)
);

CREATE TABLE reference_resource_history (
  resource_type   text        NOT NULL,
  id              text        NOT NULL,
  version         integer     NOT NULL,
  heading         text,
  source_org      text,
  security_labels text[]      NOT NULL DEFAULT '{}',
  effective_date  timestamptz,
  last_updated    timestamptz NOT NULL,
  source_time     timestamptz,
  body            jsonb       NOT NULL,
  PRIMARY KEY (resource_type, id, version)
);

CREATE TABLE patient_search (
  patient_key  text NOT NULL,
  patient_id   text NOT NULL,
  seq          integer NOT NULL,
  family       text COLLATE "C",
  given        text COLLATE "C",
  birth_date   date,
  gender       text,
  postcode     text COLLATE "C",
  gp_ods       text,
  gp_reference text,
  PRIMARY KEY (patient_key, patient_id, seq)
);
CREATE INDEX patient_search_family ON patient_search (family, given);
CREATE INDEX patient_search_given ON patient_search (given);
CREATE INDEX patient_search_birth_date ON patient_search (birth_date);
CREATE INDEX patient_search_postcode ON patient_search (postcode);
CREATE INDEX patient_search_gp_ods ON patient_search (gp_ods);
CREATE INDEX patient_search_gp_reference ON patient_search (gp_reference);

CREATE TABLE patient_identifiers (
  patient_key text NOT NULL,
  patient_id  text NOT NULL,
  system      text NOT NULL,
  value       text NOT NULL,
  PRIMARY KEY (patient_key, patient_id, system, value)
);
CREATE INDEX patient_identifiers_value ON patient_identifiers (system, value);

CREATE TABLE message_log (
  sender       text        NOT NULL,
  control_id   text        NOT NULL,
  content_hash text        NOT NULL,
  message_type text        NOT NULL,
  received_at  timestamptz NOT NULL,
  raw          text        NOT NULL,
  ack          text        NOT NULL,
  outcome      text        NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'error')),
  patient_key  text,
  warnings     text[]      NOT NULL DEFAULT '{}',
  logged_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sender, control_id, content_hash)
);
CREATE INDEX message_log_received ON message_log (received_at, sender, control_id, content_hash);
CREATE INDEX message_log_patient ON message_log (patient_key, received_at);

CREATE TABLE dead_letters (
  id              text        NOT NULL PRIMARY KEY,
  sender          text,
  control_id      text,
  channel         text,
  raw             text        NOT NULL,
  raw_hash        text        NOT NULL,
  error           text        NOT NULL,
  received_at     timestamptz NOT NULL,
  attempts        integer     NOT NULL DEFAULT 1,
  last_attempt_at timestamptz NOT NULL DEFAULT now(),
  replayed_at     timestamptz
);
CREATE INDEX dead_letters_open ON dead_letters (raw_hash) WHERE replayed_at IS NULL;
CREATE INDEX dead_letters_received ON dead_letters (received_at, id);

CREATE TABLE persons (
  person_id   text        NOT NULL PRIMARY KEY,
  nhs_number  text,
  family      text,
  given       text,
  birth_date  date,
  gender      text,
  postcode    text,
  family_norm   text COLLATE "C",
  postcode_norm text COLLATE "C",
  status      text        NOT NULL CHECK (status IN ('confirmed', 'provisional')),
  merged_into text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persons_birth_date ON persons (birth_date);
CREATE INDEX persons_family ON persons (family_norm);
CREATE INDEX persons_postcode ON persons (postcode_norm);
CREATE INDEX persons_merged_into ON persons (merged_into);

CREATE TABLE person_identifiers (
  assigning_authority text NOT NULL,
  value               text NOT NULL,
  person_id           text NOT NULL,
  PRIMARY KEY (assigning_authority, value)
);
CREATE INDEX person_identifiers_person ON person_identifiers (person_id);

CREATE TABLE person_links (
  person_id           text        NOT NULL,
  candidate_person_id text        NOT NULL,
  score               double precision NOT NULL,
  status              text        NOT NULL CHECK (status IN ('review', 'linked', 'rejected')),
  explanation         jsonb       NOT NULL DEFAULT '[]',
  created_at          timestamptz NOT NULL DEFAULT now(),
  decided_at          timestamptz,
  decided_by          text,
  PRIMARY KEY (person_id, candidate_person_id)
);
CREATE INDEX person_links_review ON person_links (created_at, person_id, candidate_person_id) WHERE status = 'review';

CREATE TABLE merges (
  survivor_id    text        NOT NULL,
  merged_id      text        NOT NULL,
  merged_at      timestamptz NOT NULL,
  reason         text        NOT NULL,
  moved          jsonb       NOT NULL,
  unmerged_at    timestamptz,
  unmerge_reason text,
  PRIMARY KEY (survivor_id, merged_id, merged_at)
);
CREATE INDEX merges_merged ON merges (merged_id);

CREATE TABLE consents (
  patient_key text        NOT NULL,
  id          text        NOT NULL,
  status      text        NOT NULL,
  body        jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (patient_key, id)
);

CREATE TABLE legitimate_relationships (
  patient_key  text        NOT NULL,
  id           text        NOT NULL,
  user_id      text        NOT NULL,
  organisation text,
  kind         text        NOT NULL,
  source       text,
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz,
  PRIMARY KEY (patient_key, id)
);
CREATE INDEX legitimate_relationships_user ON legitimate_relationships (user_id, patient_key);

CREATE TABLE audit_log (
  seq         bigint      NOT NULL PRIMARY KEY,
  recorded_at timestamptz NOT NULL,
  patient_key text,
  user_id     text,
  prev_hash   text,
  hash        text        NOT NULL,
  event       jsonb       NOT NULL
);
CREATE INDEX audit_log_patient ON audit_log (patient_key, seq);
CREATE INDEX audit_log_user ON audit_log (user_id, seq);
CREATE INDEX audit_log_time ON audit_log (recorded_at, seq);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
`;

/**
 * Lookups whose cost must not grow with the population (measured in bench/scale from 10,000 to 500,000 people):
 * patient search by birth date and family name prefix, and the MPI's blocking query, which takes the first
 * candidates of each block in person order straight from an index instead of collecting and sorting every person
 * with a common surname, postcode or birth date.
 */
const scaleIndexes = `
CREATE INDEX patient_search_birth_date_family ON patient_search (birth_date, family);
CREATE INDEX persons_block_birth_date ON persons (birth_date, person_id) WHERE merged_into IS NULL;
CREATE INDEX persons_block_birth_family ON persons (birth_date, family_norm, person_id) WHERE merged_into IS NULL;
CREATE INDEX persons_block_family ON persons (family_norm, person_id) WHERE merged_into IS NULL;
CREATE INDEX persons_block_postcode ON persons (postcode_norm, person_id) WHERE merged_into IS NULL;
DROP INDEX persons_birth_date;
DROP INDEX persons_family;
DROP INDEX persons_postcode;
`;

/**
 * Break-glass grants and privacy-officer alerts in the database, so any API process honours and revokes a grant made
 * through another, and an alert waits in the review queue until a privacy officer records an outcome.
 */
const breakGlass = `
CREATE TABLE break_glass_grants (
  patient_key   text        NOT NULL,
  id            text        NOT NULL,
  user_id       text        NOT NULL,
  organisation  text        NOT NULL,
  reason_code   text        NOT NULL,
  reason_text   text        NOT NULL,
  granted_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  revoked_by    text,
  revoke_reason text,
  PRIMARY KEY (patient_key, id)
);
CREATE INDEX break_glass_grants_user ON break_glass_grants (patient_key, user_id, expires_at);

CREATE TABLE privacy_alerts (
  patient_key    text        NOT NULL,
  id             text        NOT NULL,
  reason         text        NOT NULL,
  text           text        NOT NULL,
  user_id        text        NOT NULL,
  user_name      text,
  role_id        text,
  organisation   text        NOT NULL,
  grant_id       text,
  raised_at      timestamptz NOT NULL,
  last_access_at timestamptz NOT NULL,
  accesses       integer     NOT NULL DEFAULT 1,
  outcome        text,
  note           text,
  reviewed_by    text,
  reviewed_at    timestamptz,
  PRIMARY KEY (patient_key, id)
);
CREATE INDEX privacy_alerts_raised ON privacy_alerts (raised_at, patient_key, id);
`;

/** Every migration, in order. The last one's version is the schema version this package writes. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'scale-indexes', sql: scaleIndexes },
  { version: 3, name: 'break-glass', sql: breakGlass },
];

/** The schema version this package writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
