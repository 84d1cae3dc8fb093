/** Where Amazon Machine Learning exists; the handler imports this too, so it imports no CDK. */

/** The only Regions with an Amazon Machine Learning endpoint. */
export const AMAZON_ML_REGIONS: readonly string[] = ['us-east-1', 'eu-west-1'];

/** The sentence for a deployment of the Amazon ML datasources to any other Region. */
export function amazonMlRegionMessage(region: string): string {
  return (
    `features.amazonMl is on, but Amazon Machine Learning exists only in ${AMAZON_ML_REGIONS.join(' and ')} ` +
    `and this stack deploys to ${region}: deploy to one of those Regions or set features.amazonMl to false.`
  );
}
