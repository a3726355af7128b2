"""Quantises the token embedding of a q8 CLIP text tower to uint8, as onnxruntime's
quantize_dynamic does for a Gather on a constant table (the table stored as uint8, the gathered
rows dequantised). ../shared/tools/make-clip-fixture.py quantises MatMul weights only, which
leaves the bench model's q8 text tower at 140 MB (its 49408 x 512 float table alone is 101 MB);
Xenova/clip-vit-base-patch32's text_model_quantized.onnx, made by quantize_dynamic, is 64.5 MB.
A first visit downloads, hashes, stores and compiles the text tower, so its size is what the
first typed label waits for.

    python3 bench/quantize-token-embedding.py MODEL.onnx   (rewritten in place)
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

path = sys.argv[1]
model = onnx.load(path)
graph = model.graph
inits = {i.name: i for i in graph.initializer}
done = 0
for node in list(graph.node):
    table = inits.get(node.input[0]) if node.op_type == "Gather" else None
    if table is None or table.data_type != onnx.TensorProto.FLOAT or len(table.dims) != 2:
        continue
    w = numpy_helper.to_array(table)
    lo, hi = min(float(w.min()), 0.0), max(float(w.max()), 0.0)
    scale = (hi - lo) / 255.0 or 1.0
    zero = np.uint8(np.clip(round(-lo / scale), 0, 255))
    q = np.clip(np.round(w / scale) + zero, 0, 255).astype(np.uint8)
    name = table.name
    graph.initializer.remove(table)
    graph.initializer.extend([
        numpy_helper.from_array(q, name + "_quantized"),
        numpy_helper.from_array(np.array(scale, np.float32), name + "_scale"),
        numpy_helper.from_array(np.array(zero, np.uint8), name + "_zero_point"),
    ])
    out = node.output[0]
    attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    gather = helper.make_node("Gather", [name + "_quantized", node.input[1]], [out + "_quantized"],
                              name=(node.name or out) + "_quant", **attributes)
    dequant = helper.make_node("DequantizeLinear",
                               [out + "_quantized", name + "_scale", name + "_zero_point"],
                               [out], name=(node.name or out) + "_dequant")
    position = list(graph.node).index(node)
    graph.node.remove(node)
    graph.node.insert(position, dequant)
    graph.node.insert(position, gather)
    done += 1
onnx.checker.check_model(model)
onnx.save(model, path)
print(f"{path}: {done} Gather table(s) quantised")
