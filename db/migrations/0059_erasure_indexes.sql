CREATE INDEX `candidate_events_by_user_idx` ON `candidate_events` (`by_user_id`) WHERE "candidate_events"."by_user_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `candidate_events_duplicate_idx` ON `candidate_events` (`candidate_id`) WHERE "candidate_events"."kind" = 'duplicate';--> statement-breakpoint
CREATE INDEX `candidates_family_user_idx` ON `candidates` (`family_user_id`) WHERE "candidates"."family_user_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `candidates_duplicate_of_idx` ON `candidates` (`duplicate_of_id`) WHERE "candidates"."duplicate_of_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `messages_author_idx` ON `messages` (`author_id`) WHERE "messages"."author_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `messages_unread_idx` ON `messages` (`candidate_id`) WHERE "messages"."from_family" = 1 AND "messages"."read_at" IS NULL;--> statement-breakpoint
CREATE INDEX `stage_history_by_user_idx` ON `stage_history` (`by_user_id`) WHERE "stage_history"."by_user_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `coverage_history_import_idx` ON `coverage_history` (`import_id`);--> statement-breakpoint
CREATE INDEX `outbox_to_idx` ON `outbox` (`to`);--> statement-breakpoint
CREATE INDEX `offer_events_by_user_idx` ON `offer_events` (`by_user_id`) WHERE "offer_events"."by_user_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `opportunity_events_by_user_idx` ON `opportunity_events` (`by_user_id`) WHERE "opportunity_events"."by_user_id" IS NOT NULL;