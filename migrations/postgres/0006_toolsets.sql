CREATE TABLE "toolsets" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"name" text NOT NULL,
	"environment" text NOT NULL,
	"selection" text NOT NULL,
	"url_token_hash" text NOT NULL,
	"url_token_sealed" text NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	CONSTRAINT "toolsets_url_token_hash_unique" UNIQUE("url_token_hash")
);
--> statement-breakpoint
ALTER TABLE "access_keys" ADD COLUMN "toolset_id" text;--> statement-breakpoint
ALTER TABLE "toolsets" ADD CONSTRAINT "toolsets_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "toolsets_workspace_id_idx" ON "toolsets" USING btree ("workspace_id");