// One berth-fork serve is shared by the whole process, and ForkServerTests kills it on purpose: a test class running
// beside that would lose the exit status of an exec in flight. The native tests take seconds; run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
