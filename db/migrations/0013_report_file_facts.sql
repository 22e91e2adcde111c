DROP INDEX `candidates_territory_created_idx`;--> statement-breakpoint
ALTER TABLE `candidates` ADD `reached_stages` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `candidates` ADD `first_response_at` text;--> statement-breakpoint
ALTER TABLE `candidates` ADD `first_settled_at` text;--> statement-breakpoint
CREATE INDEX `candidates_territory_settled_idx` ON `candidates` (`territory_code`,`first_settled_at`);--> statement-breakpoint
CREATE INDEX `candidates_territory_created_idx` ON `candidates` (`territory_code`,`created_at`,`reached_stages`,`first_response_at`);