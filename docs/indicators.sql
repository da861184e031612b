-- The case indicators of `gridatlas stats --level 2` in plain SQL on a GridAtlas GeoPackage,
-- per township, for the period [:from, :to) given as ISO 8601 UTC text ('2026-07-15T00:00:00Z').
-- Timestamps are ISO 8601 UTC text, so they compare as text. Rates are NULL when their
-- denominator is zero. tests/indicators.rs checks that this agrees with `gridatlas stats`.
WITH c AS (
  SELECT cases.*, substr(u.code, 1, 9) AS township,
         (cases.accepted_at IS NOT NULL AND cases.status <> 'rejected') AS live
  FROM cases JOIN units u ON u.id = cases.unit_id
),
h AS (
  SELECT case_id,
         max(from_status = 'responded' AND to_status = 'handling') AS reworked,
         max(to_status = 'responded') AS responded
  FROM case_events GROUP BY case_id
),
s AS (
  SELECT c.township,
    sum(c.live AND c.due_at >= :from AND c.due_at < :to) AS due,
    sum(c.live AND c.due_at >= :from AND c.due_at < :to AND c.closed_at < :to) AS closed_by_end,
    sum(c.live AND c.due_at >= :from AND c.due_at < :to AND c.closed_at <= c.due_at) AS on_time,
    sum(c.live AND c.due_at >= :from AND c.due_at < :to AND coalesce(h.responded, 0)) AS responded,
    sum(c.live AND c.due_at >= :from AND c.due_at < :to AND coalesce(h.responded, 0) AND coalesce(h.reworked, 0)) AS reworked,
    sum(c.live AND c.due_at < :to AND (c.closed_at IS NULL OR c.closed_at >= :to)) AS overdue,
    avg(CASE WHEN c.closed_at >= :from AND c.closed_at < :to
             THEN (julianday(c.closed_at) - julianday(c.accepted_at)) * 24 END) AS mean_handling_hours
  FROM c LEFT JOIN h ON h.case_id = c.id
  GROUP BY c.township
)
SELECT township,
       due,
       CASE WHEN due > 0 THEN 1.0 * closed_by_end / due END AS closure_rate,
       CASE WHEN due > 0 THEN 1.0 * on_time / due END AS on_time_rate,
       CASE WHEN responded > 0 THEN 1.0 * reworked / responded END AS rework_rate,
       overdue,
       mean_handling_hours
FROM s;
