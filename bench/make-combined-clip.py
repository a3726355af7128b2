#!/usr/bin/env python3
"""Joins a model folder's two CLIP towers (onnx/{text,vision}_model<suffix>.onnx) into one
onnx/model<suffix>.onnx with the outputs transformers.js's CLIPModel reads (logits_per_image,
logits_per_text, text_embeds, image_embeds), for bench/transformers-js.ts only.

  python3 bench/make-combined-clip.py MODEL_DIR OUT_DIR [SUFFIX]   (SUFFIX default _quantized)
"""
import math
import os
import shutil
import sys

import onnx
from onnx import compose, helper

src, out, suffix = sys.argv[1], sys.argv[2], (sys.argv[3] if len(sys.argv) > 3 else "_quantized")


def tower(name, prefix, embeds):
    """The tower with every name prefixed, then joined to the original input and output names."""
    m = onnx.load(os.path.join(src, "onnx", f"{name}_model{suffix}.onnx"))
    inputs = [i.name for i in m.graph.input]
    m = compose.add_prefix(m, prefix)
    links = [helper.make_node("Identity", [n], [prefix + n]) for n in inputs]
    links.append(helper.make_node("Identity", [prefix + embeds], [embeds]))
    output = next(o for o in m.graph.output if o.name == prefix + embeds)
    output.name = embeds
    for i in m.graph.input:
        i.name = i.name[len(prefix):]
    # Each tower's own symbolic sizes: both call theirs batch_size, and one name is one size.
    for v in list(m.graph.input) + list(m.graph.output) + list(m.graph.value_info):
        for d in v.type.tensor_type.shape.dim:
            if d.dim_param:
                d.dim_param = prefix + d.dim_param
    return m, links, output


text, text_links, text_out = tower("text", "t_", "text_embeds")
vision, vision_links, vision_out = tower("vision", "v_", "image_embeds")
config = __import__("json").load(open(os.path.join(src, "config.json")))
scale = math.exp(config.get("logit_scale_init_value", math.log(100.0)))

nodes = text_links + list(text.graph.node) + vision_links + list(vision.graph.node)
nodes += [
    helper.make_node("ReduceL2", ["text_embeds"], ["t_norm"], axes=[-1], keepdims=1),
    helper.make_node("Div", ["text_embeds", "t_norm"], ["t_unit"]),
    helper.make_node("ReduceL2", ["image_embeds"], ["v_norm"], axes=[-1], keepdims=1),
    helper.make_node("Div", ["image_embeds", "v_norm"], ["v_unit"]),
    helper.make_node("Transpose", ["t_unit"], ["t_unit_T"], perm=[1, 0]),
    helper.make_node("MatMul", ["v_unit", "t_unit_T"], ["cos"]),
    helper.make_node(
        "Constant", [], ["scale"], value=helper.make_tensor("s", onnx.TensorProto.FLOAT, [], [scale])
    ),
    helper.make_node("Mul", ["cos", "scale"], ["logits_per_image"]),
    helper.make_node("Transpose", ["logits_per_image"], ["logits_per_text"], perm=[1, 0]),
]
f = onnx.TensorProto.FLOAT
graph = helper.make_graph(
    nodes,
    "clip",
    list(text.graph.input) + list(vision.graph.input),
    [
        helper.make_tensor_value_info("logits_per_image", f, ["image_batch", "text_batch"]),
        helper.make_tensor_value_info("logits_per_text", f, ["text_batch", "image_batch"]),
        text_out,
        vision_out,
    ],
    initializer=list(text.graph.initializer) + list(vision.graph.initializer),
)
opsets = {o.domain: o.version for o in list(text.opset_import) + list(vision.opset_import)}
model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()])
model.ir_version = text.ir_version
os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
onnx.save(model, os.path.join(out, "onnx", f"model{suffix}.onnx"))
for name in ["config.json", "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json"]:
    shutil.copy(os.path.join(src, name), os.path.join(out, name))
print(f"wrote {out}/onnx/model{suffix}.onnx")
