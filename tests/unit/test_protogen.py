from adapter import protogen


def test_generated_grpc_code_matches_the_protos():
    assert protogen.stale() == [], "run: python -m adapter.protogen"
