// Setup file of the cluster pass, run in every test file of it before its code: the apps it boots
// (in-process or spawned, both read process.env) connect to the cluster and spread deliveries over
// three shards. The node list comes from the pass's global setup.
process.env.REDIS_CLUSTER_NODES = process.env.HOOKLINE_TEST_CLUSTER_NODES;
process.env.QUEUE_SHARDS = '3';
