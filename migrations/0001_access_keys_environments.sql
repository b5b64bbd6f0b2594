CREATE TABLE `access_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`label` text NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`scope` text NOT NULL,
	`tools` text,
	`environment` text NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`expires_at` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_keys_key_hash_unique` ON `access_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `access_keys_workspace_id_idx` ON `access_keys` (`workspace_id`);--> statement-breakpoint
CREATE TABLE `environments` (
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`url_token_hash` text NOT NULL,
	`url_token_sealed` text NOT NULL,
	`base_url_override` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `name`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `environments_url_token_hash_unique` ON `environments` (`url_token_hash`);--> statement-breakpoint
-- Every existing workspace's URL and base URL become its `live` environment.
INSERT INTO `environments`("workspace_id", "name", "url_token_hash", "url_token_sealed", "base_url_override", "created_at", "updated_at") SELECT "id", 'live', "url_token_hash", "url_token_sealed", "base_url_override", "created_at", "updated_at" FROM `workspaces`;--> statement-breakpoint
DROP INDEX `workspaces_url_token_hash_unique`;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `access` text DEFAULT 'url' NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `rate_limit` integer;--> statement-breakpoint
ALTER TABLE `workspaces` DROP COLUMN `url_token_hash`;--> statement-breakpoint
ALTER TABLE `workspaces` DROP COLUMN `url_token_sealed`;--> statement-breakpoint
ALTER TABLE `workspaces` DROP COLUMN `base_url_override`;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_credentials` (
	`workspace_id` text NOT NULL,
	`environment` text DEFAULT 'live' NOT NULL,
	`type` text NOT NULL,
	`public_info` text NOT NULL,
	`sealed` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `environment`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_credentials`("workspace_id", "environment", "type", "public_info", "sealed", "updated_at") SELECT "workspace_id", 'live', "type", "public_info", "sealed", "updated_at" FROM `credentials`;--> statement-breakpoint
DROP TABLE `credentials`;--> statement-breakpoint
ALTER TABLE `__new_credentials` RENAME TO `credentials`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `call_logs` ADD `caller_label` text;--> statement-breakpoint
ALTER TABLE `call_logs` ADD `environment` text DEFAULT 'live' NOT NULL;