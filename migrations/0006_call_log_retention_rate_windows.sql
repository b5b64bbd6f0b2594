CREATE TABLE `rate_windows` (
	`key` text NOT NULL,
	`window_start` integer NOT NULL,
	`used` integer NOT NULL,
	PRIMARY KEY(`key`, `window_start`)
);
--> statement-breakpoint
CREATE INDEX `call_logs_workspace_tool_idx` ON `call_logs` (`workspace_id`,`tool`,`id`);--> statement-breakpoint
CREATE INDEX `call_logs_at_idx` ON `call_logs` (`at`);