CREATE TABLE `opportunities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`territory_code` text NOT NULL,
	`commune_code` text NOT NULL,
	`employer` text,
	`contract` text,
	`hours_per_week` integer,
	`teleworkable` integer,
	`sector` text,
	`price_min` integer,
	`price_max` integer,
	`turnover_band` text,
	`reason` text,
	`wanted_by` text,
	`published_at` text,
	`confirmed_at` text,
	`owner_id` integer,
	`moderation` text,
	`owner_reminded_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`territory_code`) REFERENCES `territories`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`commune_code`) REFERENCES `communes`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `opportunities_listing_idx` ON `opportunities` (`status`,`kind`,`territory_code`,`published_at`);--> statement-breakpoint
CREATE INDEX `opportunities_commune_idx` ON `opportunities` (`status`,`commune_code`);--> statement-breakpoint
CREATE INDEX `opportunities_confirmed_idx` ON `opportunities` (`status`,`confirmed_at`);--> statement-breakpoint
CREATE INDEX `opportunities_owner_idx` ON `opportunities` (`owner_id`);--> statement-breakpoint
CREATE INDEX `opportunities_moderation_idx` ON `opportunities` (`moderation`,`territory_code`);--> statement-breakpoint
CREATE TABLE `opportunity_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`opportunity_id` integer NOT NULL,
	`kind` text NOT NULL,
	`fields` text DEFAULT '[]' NOT NULL,
	`by_user_id` integer,
	`note` text,
	`at` text NOT NULL,
	FOREIGN KEY (`opportunity_id`) REFERENCES `opportunities`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `opportunity_events_idx` ON `opportunity_events` (`opportunity_id`,`at`);--> statement-breakpoint
CREATE TABLE `work_proposals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`candidate_id` integer NOT NULL,
	`opportunity_id` integer NOT NULL,
	`status` text DEFAULT 'proposed' NOT NULL,
	`comment` text,
	`proposed_by_id` integer,
	`proposed_at` text NOT NULL,
	`answered_at` text,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`opportunity_id`) REFERENCES `opportunities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`proposed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `work_proposals_candidate_idx` ON `work_proposals` (`candidate_id`,`opportunity_id`);