-- Custom migration: the report facts of existing files, from their history and timeline.
-- Bits follow the order of `stages` in db/schema/candidates.ts (enquiry = 1 … withdrawn = 32).
UPDATE `candidates` SET
  `reached_stages` = coalesce((
    SELECT sum(DISTINCT CASE `h`.`stage` WHEN 'enquiry' THEN 1 WHEN 'qualified' THEN 2 WHEN 'discovery' THEN 4 WHEN 'settling' THEN 8 WHEN 'settled' THEN 16 WHEN 'withdrawn' THEN 32 END)
    FROM `stage_history` `h` WHERE `h`.`candidate_id` = `candidates`.`id`
  ), 1),
  `first_settled_at` = (SELECT min(`h`.`entered_at`) FROM `stage_history` `h` WHERE `h`.`candidate_id` = `candidates`.`id` AND `h`.`stage` = 'settled'),
  `first_response_at` = (
    SELECT min(`e`.`at`) FROM `candidate_events` `e` JOIN `users` `u` ON `u`.`id` = `e`.`by_user_id`
    WHERE `e`.`candidate_id` = `candidates`.`id` AND `u`.`role` IN ('agent', 'territory_admin', 'platform_admin')
  );
