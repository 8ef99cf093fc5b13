CREATE TABLE "setting_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "setting_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"actor_user_id" integer,
	"actor_label" text NOT NULL,
	"field" text NOT NULL,
	"old_value" jsonb,
	"new_value" jsonb,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"id" integer PRIMARY KEY NOT NULL,
	"coordinator_emails" text[],
	"leadership_emails" text[],
	"inspectorate_emails" text[],
	"staff_mail_window" text,
	"province_name" text,
	"hotline" text,
	"office_address" text,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" integer
);
--> statement-breakpoint
CREATE TABLE "weekly_reports" (
	"week" text PRIMARY KEY NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"messages" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "setting_changes_at_idx" ON "setting_changes" USING btree ("at");