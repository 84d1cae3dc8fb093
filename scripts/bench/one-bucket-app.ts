import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** The smallest useful CDK app: the baseline that the full app's synth time is compared with. */
const app = new App();
new s3.Bucket(new Stack(app, 'OneBucket'), 'Bucket');
app.synth();
