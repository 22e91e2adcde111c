CREATE TABLE `ambassador_stories` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ambassador_id` integer NOT NULL,
	`locale` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`moderation_note` text,
	`moderated_by_id` integer,
	`moderated_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`ambassador_id`) REFERENCES `ambassadors`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`moderated_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ambassador_stories_ambassador_idx` ON `ambassador_stories` (`ambassador_id`);--> statement-breakpoint
CREATE INDEX `ambassador_stories_status_idx` ON `ambassador_stories` (`status`);--> statement-breakpoint
CREATE TABLE `ambassadors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`candidate_id` integer NOT NULL,
	`territory_code` text NOT NULL,
	`commune_code` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`profession` text,
	`languages` text NOT NULL,
	`by_email` integer DEFAULT true NOT NULL,
	`by_phone` integer DEFAULT false NOT NULL,
	`by_video` integer DEFAULT false NOT NULL,
	`phone` text,
	`best_times` text,
	`presentation` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`territory_code`) REFERENCES `territories`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`commune_code`) REFERENCES `communes`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ambassadors_user_idx` ON `ambassadors` (`user_id`);--> statement-breakpoint
CREATE INDEX `ambassadors_territory_idx` ON `ambassadors` (`territory_code`,`status`);--> statement-breakpoint
CREATE TABLE `ambassador_introductions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`candidate_id` integer NOT NULL,
	`ambassador_id` integer NOT NULL,
	`note` text,
	`by_user_id` integer,
	`status` text DEFAULT 'pending' NOT NULL,
	`family_answer` text,
	`ambassador_answer` text,
	`family_token_hash` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`ambassador_id`) REFERENCES `ambassadors`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ambassador_introductions_family_token_hash_unique` ON `ambassador_introductions` (`family_token_hash`);--> statement-breakpoint
CREATE INDEX `introductions_candidate_idx` ON `ambassador_introductions` (`candidate_id`);--> statement-breakpoint
CREATE INDEX `introductions_ambassador_idx` ON `ambassador_introductions` (`ambassador_id`,`status`);--> statement-breakpoint
-- The territory page shows approved stories (decision 024): a change of a story, or of an
-- ambassador (status, profession, commune, erasure), bumps the 'catalogue' version that keys
-- the page cache (0005).
CREATE TRIGGER `ambassador_stories_catalogue_version_insert` AFTER INSERT ON `ambassador_stories` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `ambassador_stories_catalogue_version_update` AFTER UPDATE ON `ambassador_stories` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `ambassador_stories_catalogue_version_delete` AFTER DELETE ON `ambassador_stories` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `ambassadors_catalogue_version_update` AFTER UPDATE ON `ambassadors` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `ambassadors_catalogue_version_delete` AFTER DELETE ON `ambassadors` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
