CREATE TABLE `import_rows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`import_id` integer NOT NULL,
	`line` integer NOT NULL,
	`data` text,
	`problems` text,
	FOREIGN KEY (`import_id`) REFERENCES `imports`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `import_rows_import_idx` ON `import_rows` (`import_id`,`line`);--> statement-breakpoint
ALTER TABLE `imports` ADD `mode` text;--> statement-breakpoint
ALTER TABLE `imports` ADD `territory_code` text REFERENCES territories(code);--> statement-breakpoint
ALTER TABLE `imports` ADD `counts` text;--> statement-breakpoint
ALTER TABLE `offers` ADD `source` text;--> statement-breakpoint
ALTER TABLE `offers` ADD `source_key` text;--> statement-breakpoint
ALTER TABLE `offers` ADD `source_data` text;--> statement-breakpoint
CREATE UNIQUE INDEX `offers_source_idx` ON `offers` (`source`,`source_key`);