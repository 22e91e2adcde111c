DROP INDEX `candidate_events_candidate_idx`;--> statement-breakpoint
CREATE INDEX `candidate_events_candidate_author_idx` ON `candidate_events` (`candidate_id`,`at`,`by_user_id`);--> statement-breakpoint
DROP INDEX `stage_history_territory_entered_idx`;--> statement-breakpoint
DROP INDEX `stage_history_territory_left_idx`;--> statement-breakpoint
ALTER TABLE `stage_history` ADD `days` real;--> statement-breakpoint
CREATE INDEX `stage_history_territory_entered_cover_idx` ON `stage_history` (`territory_code`,`stage`,`entered_at`,`candidate_id`);--> statement-breakpoint
CREATE INDEX `stage_history_territory_left_cover_idx` ON `stage_history` (`territory_code`,`left_at`,`stage`,`days`);--> statement-breakpoint
CREATE INDEX `stage_history_candidate_stage_idx` ON `stage_history` (`candidate_id`,`stage`,`entered_at`);