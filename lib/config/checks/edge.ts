import type { ModelComponentConfig } from '../../edge/config';
import type { ReportIssue } from '../issues';
import type { AppConfig } from '../schema';

/** Compiler options that the NVIDIA accelerator needs. */
const NVIDIA_COMPILER_OPTIONS = ['gpu-code', 'trt-ver', 'cuda-ver'] as const;

function checkPackagingTarget(model: ModelComponentConfig, report: ReportIssue): void {
  const path = ['edge', 'modelComponent'];
  if (!model.targetDevice && !model.targetPlatform) {
    report(
      path,
      'the model packaging job needs a target: set targetDevice ("jetson_xavier") or targetPlatform ({ "os": "LINUX", "arch": "ARM64" | "X86_64", "accelerator"?: "NVIDIA" })',
    );
    return;
  }
  if (model.targetDevice && model.targetPlatform) {
    report(
      [...path, 'targetPlatform'],
      'targetDevice and targetPlatform exclude each other: set one of them to null',
    );
    return;
  }
  if (model.targetDevice && model.compilerOptions) {
    report(
      [...path, 'compilerOptions'],
      'compiler options are not accepted with targetDevice: set compilerOptions to null, or use targetPlatform',
    );
  }
  if (model.targetPlatform?.accelerator === 'NVIDIA') {
    const missing = NVIDIA_COMPILER_OPTIONS.filter((key) => !model.compilerOptions?.[key]);
    if (missing.length > 0) {
      report(
        [...path, 'compilerOptions'],
        `the NVIDIA accelerator needs the compiler options ${NVIDIA_COMPILER_OPTIONS.join(', ')}; missing: ${missing.join(', ')}`,
      );
    }
  }
}

/**
 * Checks of the edge section: a model that can be packaged, a packaging target that Lookout for
 * Vision accepts, distinct components.
 */
export function checkEdgeConfig(config: AppConfig, report: ReportIssue): void {
  const { edge } = config;
  if (edge.modelComponent.source === 'package') {
    // Lookout for Vision packages only a trained model; a project this stack creates is empty.
    if (edge.lookoutVision.project === 'create') {
      report(
        ['edge', 'lookoutVision', 'project'],
        'a project created by this stack holds no trained model, so the packaging job (modelComponent.source "package") cannot succeed: set project to "existing" with a trained modelVersion, or modelComponent.source to "existing"',
      );
    }
    checkPackagingTarget(edge.modelComponent, report);
  }
  if (edge.inferenceClient.componentName === edge.modelComponent.name) {
    report(
      ['edge', 'inferenceClient', 'componentName'],
      `"${edge.inferenceClient.componentName}" is the model component's name; the inference client needs its own`,
    );
  }
}
