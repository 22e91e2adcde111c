-- Custom migration: the freshness clock of existing offers starts at their last change
-- (their publication, else their last edit), so nothing is hidden the day this lands
-- that had not already been left unchanged for 90 days.
UPDATE `offers` SET `confirmed_at` = max(coalesce(`published_at`, `updated_at`), `updated_at`)
WHERE `confirmed_at` IS NULL;
