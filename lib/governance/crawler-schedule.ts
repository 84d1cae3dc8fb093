import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';

/** Properties of {@link CrawlerSchedule}. */
export interface CrawlerScheduleProps {
  /** The names of the crawlers to start; pass references so that the trigger follows them. */
  readonly crawlerNames: readonly string[];
  /** When they run, as a Glue cron expression. */
  readonly schedule: string;
}

/**
 * The schedule of the crawlers of a governed catalog. A crawler that runs before its location
 * is registered and its grants exist fails (Glue, "Crawler errors when the crawler is using
 * Lake Formation permissions": "The S3 location ... is not registered", "Insufficient Lake
 * Formation permission(s)"); so the catalog defines its crawlers without a schedule, and this
 * trigger, which deploys after the registration and the grants, starts them.
 */
export class CrawlerSchedule extends Construct {
  readonly trigger: glue.CfnTrigger;

  constructor(scope: Construct, id: string, props: CrawlerScheduleProps) {
    super(scope, id);
    this.trigger = new glue.CfnTrigger(this, 'Trigger', {
      type: 'SCHEDULED',
      description: 'Starts the catalog crawlers once Lake Formation governs what they crawl',
      schedule: props.schedule,
      startOnCreation: true,
      actions: props.crawlerNames.map((crawlerName) => ({ crawlerName })),
    });
  }
}
