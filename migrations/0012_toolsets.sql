CREATE TABLE `toolsets` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`environment` text NOT NULL,
	`selection` text NOT NULL,
	`url_token_hash` text NOT NULL,
	`url_token_sealed` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `toolsets_url_token_hash_unique` ON `toolsets` (`url_token_hash`);--> statement-breakpoint
CREATE INDEX `toolsets_workspace_id_idx` ON `toolsets` (`workspace_id`);--> statement-breakpoint
ALTER TABLE `access_keys` ADD `toolset_id` text;