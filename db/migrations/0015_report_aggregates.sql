CREATE TABLE `stay_stats` (
	`territory_code` text NOT NULL,
	`month` text NOT NULL,
	`stage` text NOT NULL,
	`days` real NOT NULL,
	`stays` integer NOT NULL,
	PRIMARY KEY(`territory_code`, `month`, `stage`, `days`)
);
--> statement-breakpoint
DROP INDEX `candidates_territory_created_idx`;--> statement-breakpoint
DROP INDEX `candidates_territory_settled_idx`;--> statement-breakpoint
ALTER TABLE `candidates` ADD `response_hours` real;--> statement-breakpoint
CREATE INDEX `candidates_territory_created_idx` ON `candidates` (`territory_code`,`created_at`,`reached_stages`,`response_hours`);--> statement-breakpoint
CREATE INDEX `candidates_territory_settled_idx` ON `candidates` (`territory_code`,`first_settled_at`,`stage`,`stage_entered_at`,`settled_household_size`,`settled_commune_code`,`created_at`,`current_place`,`household`,`professions`);--> statement-breakpoint
DROP INDEX `tasks_candidate_idx`;--> statement-breakpoint
CREATE INDEX `tasks_candidate_idx` ON `tasks` (`candidate_id`,`kind`,`outcome`);