CREATE TABLE `access_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`actor_id` integer,
	`actor_name` text,
	`action` text NOT NULL,
	`territory_code` text,
	`file_public_id` text,
	`target_user_id` integer,
	`target` text,
	`details` text,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`territory_code`) REFERENCES `territories`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`target_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `access_log_territory_idx` ON `access_log` (`territory_code`,`at`);--> statement-breakpoint
CREATE INDEX `access_log_at_idx` ON `access_log` (`at`);--> statement-breakpoint
CREATE INDEX `access_log_file_idx` ON `access_log` (`file_public_id`,`at`);--> statement-breakpoint
CREATE INDEX `access_log_actor_idx` ON `access_log` (`actor_id`,`at`);--> statement-breakpoint
CREATE INDEX `access_log_target_user_idx` ON `access_log` (`target_user_id`);