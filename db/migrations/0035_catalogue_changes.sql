CREATE TABLE `catalogue_changes` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`offer_id` integer NOT NULL
);
