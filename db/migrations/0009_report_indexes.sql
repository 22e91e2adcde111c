ALTER TABLE `stage_history` ADD `territory_code` text;--> statement-breakpoint
CREATE INDEX `stage_history_territory_entered_idx` ON `stage_history` (`territory_code`,`stage`,`entered_at`);--> statement-breakpoint
CREATE INDEX `stage_history_territory_left_idx` ON `stage_history` (`territory_code`,`left_at`);--> statement-breakpoint
CREATE INDEX `candidates_territory_created_idx` ON `candidates` (`territory_code`,`created_at`);