CREATE TABLE `call_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` text NOT NULL,
	`at` text NOT NULL,
	`tool` text NOT NULL,
	`method` text,
	`url` text,
	`status` integer,
	`ok` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`error` text,
	`caller` text DEFAULT 'url' NOT NULL,
	`user_agent` text,
	`arguments` text,
	`response_excerpt` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `call_logs_workspace_id_idx` ON `call_logs` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `credentials` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`public_info` text NOT NULL,
	`sealed` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `specs` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`version` text NOT NULL,
	`openapi` text NOT NULL,
	`source_url` text,
	`base_url` text,
	`security_schemes` text NOT NULL,
	`warnings` text NOT NULL,
	`uploaded_at` text NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tools` (
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`position` integer NOT NULL,
	`enabled` integer NOT NULL,
	`definition` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `name`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`url_token_hash` text NOT NULL,
	`url_token_sealed` text NOT NULL,
	`base_url_override` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workspaces_url_token_hash_unique` ON `workspaces` (`url_token_hash`);