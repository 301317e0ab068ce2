"""The runner's writes: one module per entity, each task a few lines on `MutationTask`.

campaigns.py, adsquads.py, ads.py   create, update, pause, resume, delete
media.py                            snap.media.upload
creatives.py                        snap.creative.create
experiments.py                      snap.experiment.launch, set_variant_status
journal.py                          snap.journal.complete, snap.journal.reap (beat)
"""
