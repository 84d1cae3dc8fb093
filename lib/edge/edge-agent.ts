/** Facts about the Lookout for Vision EdgeAgent, the Greengrass component that serves the models. */

/** The EdgeAgent's component name; Lookout for Vision model components depend on it. */
export const EDGE_AGENT_COMPONENT = 'aws.iot.lookoutvision.EdgeAgent';

/** The only Regions where AWS publishes the EdgeAgent component. */
export const EDGE_AGENT_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-central-1',
  'eu-west-1',
  'ap-northeast-1',
  'ap-northeast-2',
];

/** Where the EdgeAgent serves its gRPC API (its default `Socket` configuration). */
export const EDGE_AGENT_SOCKET = 'unix:///tmp/aws.iot.lookoutvision.EdgeAgent.sock';

/**
 * The Python interpreters the EdgeAgent supports, in the order the inference client picks them:
 * exactly Python 3.8 or 3.9. Ubuntu 18.04 (JetPack 4.x) ships 3.6 as `python3`, so the client
 * never falls back to it.
 */
export const EDGE_AGENT_PYTHONS: readonly string[] = ['python3.9', 'python3.8'];

/** The system group whose members may use the GPU of an NVIDIA Jetson. */
export const JETSON_GPU_GROUP = 'video';
