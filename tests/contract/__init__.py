"""Port contract suites: base classes (importable as `contract.<port>_contract`) and their embedded subclasses.

An adapter of another shape subclasses the same base class and supplies the factory fixture, e.g.

    from contract.queue_contract import JobQueueContract

    class TestSqsJobQueue(JobQueueContract):
        @pytest.fixture
        def make_queue(self, ...): ...
"""
