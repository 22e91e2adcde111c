CREATE TABLE `candidate_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`candidate_id` integer NOT NULL,
	`kind` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`by_user_id` integer,
	`at` text NOT NULL,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `candidate_events_candidate_idx` ON `candidate_events` (`candidate_id`,`at`);--> statement-breakpoint
CREATE TABLE `candidates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`public_id` text NOT NULL,
	`territory_code` text,
	`stage` text DEFAULT 'enquiry' NOT NULL,
	`stage_entered_at` text NOT NULL,
	`assigned_agent_id` integer,
	`family_user_id` integer,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`phone` text,
	`household` text NOT NULL,
	`professions` text NOT NULL,
	`current_place` text,
	`wished_territories` text NOT NULL,
	`wished_communes` text DEFAULT '[]' NOT NULL,
	`budget_max` integer,
	`transaction` text,
	`housing_needs` text,
	`workspace_needs` text,
	`min_download_mbps` integer,
	`time_frame` text,
	`heard_from` text,
	`locale` text DEFAULT 'fr' NOT NULL,
	`consent_text_version` text NOT NULL,
	`consent_at` text NOT NULL,
	`withdrawal_reason` text,
	`withdrawal_comment` text,
	`settled_commune_code` text,
	`settled_at` text,
	`settled_household_size` integer,
	`duplicate_of_id` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`last_contact_at` text NOT NULL,
	`anonymised_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`territory_code`) REFERENCES `territories`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assigned_agent_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`family_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`settled_commune_code`) REFERENCES `communes`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `candidates_public_id_unique` ON `candidates` (`public_id`);--> statement-breakpoint
CREATE INDEX `candidates_territory_stage_idx` ON `candidates` (`territory_code`,`stage`,`stage_entered_at`);--> statement-breakpoint
CREATE INDEX `candidates_email_idx` ON `candidates` (`email`);--> statement-breakpoint
CREATE INDEX `candidates_phone_idx` ON `candidates` (`phone`);--> statement-breakpoint
CREATE INDEX `candidates_agent_idx` ON `candidates` (`assigned_agent_id`);--> statement-breakpoint
CREATE TABLE `proposals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`candidate_id` integer NOT NULL,
	`offer_id` integer NOT NULL,
	`status` text DEFAULT 'proposed' NOT NULL,
	`comment` text,
	`proposed_by_id` integer,
	`proposed_at` text NOT NULL,
	`answered_at` text,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`proposed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `proposals_candidate_idx` ON `proposals` (`candidate_id`);--> statement-breakpoint
CREATE TABLE `stage_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`candidate_id` integer NOT NULL,
	`stage` text NOT NULL,
	`entered_at` text NOT NULL,
	`left_at` text,
	`by_user_id` integer,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stage_history_candidate_idx` ON `stage_history` (`candidate_id`,`entered_at`);--> statement-breakpoint
CREATE INDEX `stage_history_stage_idx` ON `stage_history` (`stage`,`entered_at`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`candidate_id` integer NOT NULL,
	`kind` text DEFAULT 'manual' NOT NULL,
	`title` text NOT NULL,
	`due_date` text NOT NULL,
	`assignee_id` integer,
	`done_at` text,
	`outcome` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`assignee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tasks_assignee_due_idx` ON `tasks` (`assignee_id`,`done_at`,`due_date`);--> statement-breakpoint
CREATE INDEX `tasks_candidate_idx` ON `tasks` (`candidate_id`);