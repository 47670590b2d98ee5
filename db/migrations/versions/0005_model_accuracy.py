"""What each review says of the models: audit samples, model versions, stated confidences;
the views review_outcomes and model_accuracy.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

READER_ROLE = "docpipe_reader"
NEW_VIEWS = ("review_outcomes", "model_accuracy")

# Reviews stored before this revision: the versions and confidences of what the reviewer saw
# were the document's latest model results before the review (those the review form showed).
BACKFILL = """
UPDATE reviews r SET
    model_versions = jsonb_strip_nulls(jsonb_build_object('classify', c.model_version, 'extract', e.model_version)),
    confidences_before = jsonb_build_object(
        'labels', COALESCE(jsonb_build_object(
            'doc_type', c.doc_type_confidence, 'urgency', c.urgency_confidence, 'department', c.department_confidence
        ), '{}'::jsonb),
        'fields', COALESCE(e.field_confidences, '{}'::jsonb))
FROM reviews r2
LEFT JOIN LATERAL (
    SELECT * FROM classifications x
    WHERE x.document_id = r2.document_id AND x.model_version NOT LIKE 'review-%' AND x.created_at <= r2.reviewed_at
    ORDER BY x.created_at DESC, x.id DESC LIMIT 1
) c ON true
LEFT JOIN LATERAL (
    SELECT * FROM extractions x
    WHERE x.document_id = r2.document_id AND x.model_version NOT LIKE 'review-%' AND x.created_at <= r2.reviewed_at
    ORDER BY x.created_at DESC, x.id DESC LIMIT 1
) e ON true
WHERE r.id = r2.id
"""

# One row per label and field a reviewer answered on: was the model's value left as it was?
# Labels are the targets of labels_before (what the form showed); fields count only when the
# reviewer kept the document type (a corrected type makes the old schema's fields moot), and
# null, "" and [] are alike (the form cannot tell them apart). Rejected documents say nothing
# of the values and are left out.
REVIEW_OUTCOMES_VIEW = """
CREATE VIEW review_outcomes AS
SELECT
    r.id AS review_id,
    r.document_id,
    r.reviewed_at,
    r.audit_sample,
    'classify'::text AS stage,
    r.model_versions ->> 'classify' AS model_version,
    l.key AS target,
    l.value AS predicted,
    r.labels_after ->> l.key AS reviewed,
    (r.confidences_before -> 'labels' ->> l.key)::float AS confidence,
    l.value IS NOT DISTINCT FROM (r.labels_after ->> l.key) AS correct
FROM reviews r
CROSS JOIN LATERAL jsonb_each_text(r.labels_before) l
WHERE r.decision = 'accept' AND r.model_versions ? 'classify' AND l.value IS NOT NULL
UNION ALL
SELECT
    r.id,
    r.document_id,
    r.reviewed_at,
    r.audit_sample,
    'extract'::text,
    r.model_versions ->> 'extract',
    f.key,
    f.before #>> '{}',
    f.after #>> '{}',
    (r.confidences_before -> 'fields' ->> f.key)::float,
    f.before IS NOT DISTINCT FROM f.after
FROM reviews r
CROSS JOIN LATERAL (
    SELECT
        k.key,
        NULLIF(NULLIF(NULLIF(r.fields_before -> k.key, 'null'::jsonb), '""'::jsonb), '[]'::jsonb) AS before,
        NULLIF(NULLIF(NULLIF(r.fields_after -> k.key, 'null'::jsonb), '""'::jsonb), '[]'::jsonb) AS after
    FROM jsonb_object_keys(r.fields_before || r.fields_after) AS k(key)
) f
WHERE r.decision = 'accept' AND r.model_versions ? 'extract'
  AND (r.labels_before ->> 'doc_type') IS NOT DISTINCT FROM (r.labels_after ->> 'doc_type')
"""

# Per model version, label or field, sample kind and period: n, accuracy and its 95% Wilson
# score interval (right at 0 and 1 and for small n, where the normal approximation is not).
MODEL_ACCURACY_VIEW = """
CREATE VIEW model_accuracy AS
WITH periods AS (
    SELECT o.*, 'all'::text AS period, NULL::date AS period_start FROM review_outcomes o
    UNION ALL
    SELECT o.*, 'week', date_trunc('week', o.reviewed_at AT TIME ZONE 'UTC')::date FROM review_outcomes o
),
counts AS (
    SELECT
        stage, model_version, target,
        CASE WHEN audit_sample THEN 'audit' ELSE 'flagged' END AS sample,
        period, period_start,
        count(*)::int AS n,
        (count(*) FILTER (WHERE correct))::int AS correct
    FROM periods
    GROUP BY stage, model_version, target, audit_sample, period, period_start
),
rates AS (
    SELECT c.*, c.correct::float / c.n AS p, 1.96::float AS z FROM counts c
)
SELECT
    stage, model_version, target, sample, period, period_start, n, correct,
    p AS accuracy,
    greatest(0.0, (p + z * z / (2 * n) - z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n))) / (1 + z * z / n)) AS accuracy_low,
    least(1.0, (p + z * z / (2 * n) + z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n))) / (1 + z * z / n)) AS accuracy_high
FROM rates
"""


def upgrade() -> None:
    op.add_column(
        "reviews",
        sa.Column(
            "audit_sample",
            sa.Boolean,
            nullable=False,
            server_default=sa.false(),
            comment="The document was drawn at random from those accepted automatically",
        ),
    )
    op.add_column(
        "reviews",
        sa.Column(
            "model_versions",
            JSONB,
            nullable=False,
            server_default="{}",
            comment="Versions of the models whose results the reviewer saw: {stage: version}",
        ),
    )
    op.add_column(
        "reviews",
        sa.Column(
            "confidences_before",
            JSONB,
            nullable=False,
            server_default="{}",
            comment="The confidences the models stated: {labels: {target: p}, fields: {field: p}}",
        ),
    )
    op.execute(BACKFILL)
    op.execute("UPDATE reviews SET audit_sample = true WHERE reason = 'audit sample'")
    op.execute(REVIEW_OUTCOMES_VIEW)
    op.execute(MODEL_ACCURACY_VIEW)
    op.execute(f"GRANT SELECT ON {', '.join(NEW_VIEWS)} TO {READER_ROLE}")


def downgrade() -> None:
    op.execute(f"REVOKE SELECT ON {', '.join(NEW_VIEWS)} FROM {READER_ROLE}")
    op.execute("DROP VIEW IF EXISTS model_accuracy")
    op.execute("DROP VIEW IF EXISTS review_outcomes")
    for column in ("confidences_before", "model_versions", "audit_sample"):
        op.drop_column("reviews", column)
