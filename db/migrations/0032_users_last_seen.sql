ALTER TABLE `users` ADD `last_seen_at` text;--> statement-breakpoint
ALTER TABLE `users` ADD `inactivity_warned_at` text;