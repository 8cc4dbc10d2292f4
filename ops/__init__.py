"""Operator tools, kept out of the served app (``api/``).

``launcher`` and ``processes`` start the stack (``make run``, the benchmarks, the
end-to-end tests); ``bench``, ``load`` and ``bench_ack`` measure it; ``eval_chat``
evaluates the answers through the real chat; ``audit`` checks the dependencies;
``cli`` is the ``tthc`` command (knowledge base, staff accounts and their backups,
personal data). ``api/`` never imports this package.
"""
