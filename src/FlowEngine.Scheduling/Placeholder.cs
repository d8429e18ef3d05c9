namespace FlowEngine.Scheduling;
