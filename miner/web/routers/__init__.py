"""The app's areas, one router each (listed in :data:`miner.web.ROUTERS`): API routes and pages."""
