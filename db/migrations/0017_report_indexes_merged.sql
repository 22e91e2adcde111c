DROP INDEX `candidates_territory_created_idx`;--> statement-breakpoint
DROP INDEX `candidates_territory_settled_idx`;--> statement-breakpoint
CREATE INDEX `candidates_territory_created_idx` ON `candidates` (`territory_code`,`created_at`,`merged_into_id`,`reached_stages`,`response_hours`);--> statement-breakpoint
CREATE INDEX `candidates_territory_settled_idx` ON `candidates` (`territory_code`,`first_settled_at`,`merged_into_id`,`stage`,`stage_entered_at`,`settled_household_size`,`settled_commune_code`,`created_at`,`current_place`,`household`,`professions`);