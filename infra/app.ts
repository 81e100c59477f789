/**
 * CDK entry point (`cdk.json`: "node infra/app.ts"; Node 24 runs the TypeScript directly).
 * `npm run synth` synthesizes every stack offline: no credentials, no lookups.
 */
import { createWsoApp } from './wso-app.ts';

createWsoApp().app.synth();
