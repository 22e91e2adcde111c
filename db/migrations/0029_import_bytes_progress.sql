ALTER TABLE `imports` ADD `bytes_total` integer;--> statement-breakpoint
ALTER TABLE `imports` ADD `bytes_read` integer;