-- Custom migration: the territory of existing stage history rows, from their file
-- (merged duplicates stay out of reports: null).
UPDATE `stage_history` SET `territory_code` = (
  SELECT `c`.`territory_code` FROM `candidates` `c` WHERE `c`.`id` = `stage_history`.`candidate_id` AND `c`.`merged_into_id` IS NULL
);
