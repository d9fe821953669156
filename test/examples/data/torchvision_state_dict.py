# Prints torchvision's ResNet state_dict keys with their shapes, the committed key lists'
# format: `python3 torchvision_state_dict.py resnet18 > resnet18-state-dict.txt` (and resnet34).
# Needs torch and torchvision; the weights are not downloaded (the architecture alone gives the keys).
import sys

import torchvision

name = sys.argv[1]
model = getattr(torchvision.models, name)()
print(f"# torchvision.models.{name}().state_dict(), key and shape, made by torchvision_state_dict.py (torchvision {torchvision.__version__})")
for key, value in model.state_dict().items():
    print(key, tuple(value.shape))
