/**
 * The CDK app's entry point (`cdk.json`: `node src/main.ts`, run on Node ≥ 22.18, which strips
 * the types). `npx nx run infra:synth` writes `cdk.out`; `npx nx run infra:deploy` deploys.
 */
import { createPipelineApp } from './app.ts';

createPipelineApp().app.synth();
