-- Custom migration: the length of stays already closed, as written from now on by closeStays().
UPDATE `stage_history` SET `days` = round((julianday(`left_at`) - julianday(`entered_at`)) * 10) / 10.0 WHERE `left_at` IS NOT NULL;
