CREATE TABLE "access_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"label" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"scope" text NOT NULL,
	"tools" text,
	"environment" text NOT NULL,
	"created_at" text NOT NULL,
	"last_used_at" text,
	"expires_at" text,
	CONSTRAINT "access_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "call_logs" (
	"id" bigserial NOT NULL,
	"workspace_id" text NOT NULL,
	"at" text NOT NULL,
	"tool" text NOT NULL,
	"method" text,
	"url" text,
	"status" integer,
	"ok" boolean NOT NULL,
	"duration_ms" integer NOT NULL,
	"error" text,
	"caller" text DEFAULT 'url' NOT NULL,
	"caller_label" text,
	"environment" text DEFAULT 'live' NOT NULL,
	"user_agent" text,
	"arguments" text,
	"response_excerpt" text,
	CONSTRAINT "call_logs_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "credentials" (
	"workspace_id" text NOT NULL,
	"environment" text DEFAULT 'live' NOT NULL,
	"type" text NOT NULL,
	"public_info" text NOT NULL,
	"sealed" text NOT NULL,
	"updated_at" text NOT NULL,
	"health" text,
	"refresh_lease_until" bigint,
	"origin" text,
	CONSTRAINT "credentials_workspace_id_environment_pk" PRIMARY KEY("workspace_id","environment")
);
--> statement-breakpoint
CREATE TABLE "environments" (
	"workspace_id" text NOT NULL,
	"name" text NOT NULL,
	"url_token_hash" text NOT NULL,
	"url_token_sealed" text NOT NULL,
	"base_url_override" text,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	CONSTRAINT "environments_workspace_id_name_pk" PRIMARY KEY("workspace_id","name"),
	CONSTRAINT "environments_url_token_hash_unique" UNIQUE("url_token_hash")
);
--> statement-breakpoint
CREATE TABLE "oauth_pending" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"environment" text NOT NULL,
	"session_hash" text NOT NULL,
	"verifier_sealed" text NOT NULL,
	"expires_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_windows" (
	"key" text NOT NULL,
	"window_start" bigint NOT NULL,
	"used" integer NOT NULL,
	CONSTRAINT "rate_windows_key_window_start_pk" PRIMARY KEY("key","window_start")
);
--> statement-breakpoint
CREATE TABLE "revoked_sessions" (
	"session_hash" text PRIMARY KEY NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "specs" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"version" text NOT NULL,
	"openapi" text NOT NULL,
	"source_url" text,
	"base_url" text,
	"security_schemes" text NOT NULL,
	"warnings" text NOT NULL,
	"uploaded_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tools" (
	"workspace_id" text NOT NULL,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	"enabled" boolean NOT NULL,
	"definition" text NOT NULL,
	CONSTRAINT "tools_workspace_id_name_pk" PRIMARY KEY("workspace_id","name")
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"access" text DEFAULT 'url' NOT NULL,
	"rate_limit" integer,
	"allowed_origins" text,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "access_keys" ADD CONSTRAINT "access_keys_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_logs" ADD CONSTRAINT "call_logs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "environments" ADD CONSTRAINT "environments_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_pending" ADD CONSTRAINT "oauth_pending_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "specs" ADD CONSTRAINT "specs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tools" ADD CONSTRAINT "tools_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_keys_workspace_id_idx" ON "access_keys" USING btree ("workspace_id");--> statement-breakpoint
CREATE INDEX "call_logs_workspace_tool_idx" ON "call_logs" USING btree ("workspace_id","tool","id");--> statement-breakpoint
CREATE INDEX "call_logs_at_idx" ON "call_logs" USING btree ("at");