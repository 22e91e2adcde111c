ALTER TABLE `outbox` ADD `candidate_id` integer REFERENCES candidates(id);--> statement-breakpoint
CREATE INDEX `outbox_candidate_idx` ON `outbox` (`candidate_id`);