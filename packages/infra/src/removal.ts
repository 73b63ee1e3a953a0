import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * The removal policy of every resource with a fixed name that `cdk import` can adopt (the
 * buckets, the key and its alias, the queues, the roles): `DeletionPolicy: RetainExceptOnCreate`
 * and `UpdateReplacePolicy: Retain`. `cdk import` requires an explicit DeletionPolicy; a
 * deleted stack, or a replacement, keeps the data and the identities the backend uses; and a
 * first create that fails is rolled back completely, so no orphan with the same fixed name is
 * left to make the retry fail with `AlreadyExists` (as `Retain` would).
 */
export const ADOPTABLE = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
