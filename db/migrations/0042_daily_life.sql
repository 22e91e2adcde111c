CREATE TABLE `commune_facilities` (
	`commune_code` text PRIMARY KEY NOT NULL,
	`department_code` text NOT NULL,
	`supermarkets` integer NOT NULL,
	`food_shops` integer NOT NULL,
	`bakeries` integer NOT NULL,
	`pharmacies` integer NOT NULL,
	`health_centres` integer NOT NULL,
	`emergencies` integer NOT NULL,
	`stations` integer NOT NULL,
	`primary_schools` integer NOT NULL,
	`data_year` integer NOT NULL,
	`source` text NOT NULL,
	FOREIGN KEY (`commune_code`) REFERENCES `communes`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_code`) REFERENCES `departments`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `points_of_interest` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`commune_code` text NOT NULL,
	`department_code` text NOT NULL,
	`lat` real NOT NULL,
	`lng` real NOT NULL,
	`source` text NOT NULL,
	`source_key` text NOT NULL,
	FOREIGN KEY (`commune_code`) REFERENCES `communes`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_code`) REFERENCES `departments`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `points_of_interest_source_key_idx` ON `points_of_interest` (`kind`,`source_key`);--> statement-breakpoint
CREATE INDEX `points_of_interest_position_idx` ON `points_of_interest` (`lat`,`lng`);--> statement-breakpoint
CREATE INDEX `points_of_interest_department_idx` ON `points_of_interest` (`department_code`,`kind`);--> statement-breakpoint
CREATE TABLE `stations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`commune_code` text NOT NULL,
	`department_code` text NOT NULL,
	`lat` real NOT NULL,
	`lng` real NOT NULL,
	`segment` text,
	`uic_codes` text NOT NULL,
	`source` text NOT NULL,
	FOREIGN KEY (`commune_code`) REFERENCES `communes`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_code`) REFERENCES `departments`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stations_uic_codes_unique` ON `stations` (`uic_codes`);--> statement-breakpoint
CREATE INDEX `stations_position_idx` ON `stations` (`lat`,`lng`);