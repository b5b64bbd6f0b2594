CREATE TABLE `revoked_sessions` (
	`session_hash` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
